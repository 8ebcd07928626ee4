FROM continuumio/miniconda3:24.1.2-0
WORKDIR /app
COPY environment.yml .
RUN conda env create -f environment.yml && conda clean -afy
SHELL ["conda", "run", "-n", "myenv", "/bin/bash", "-c"]
COPY . .
ENV PYTHONUNBUFFERED=1
ENTRYPOINT ["conda", "run", "--no-capture-output", "-n", "myenv", "python", "run.py"]
