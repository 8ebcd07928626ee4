FROM ubuntu:22.04
MAINTAINER Old School <admin@example.com>
RUN apt-get update && apt-get install -y python3 python3-pip sudo
RUN useradd -m dev && echo "dev ALL=(ALL) NOPASSWD:ALL" >> /etc/sudoers
USER dev
WORKDIR app
COPY . .
RUN cd src && sudo pip3 install -r requirements.txt
CMD python3 src/main.py
